import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AuthorizePublishRequest as _streamplatform_v1_AuthorizePublishRequest, AuthorizePublishRequest__Output as _streamplatform_v1_AuthorizePublishRequest__Output } from './streamplatform/v1/AuthorizePublishRequest.ts';
import type { Channel as _streamplatform_v1_Channel, Channel__Output as _streamplatform_v1_Channel__Output } from './streamplatform/v1/Channel.ts';
import type { ChannelServiceClient as _streamplatform_v1_ChannelServiceClient, ChannelServiceDefinition as _streamplatform_v1_ChannelServiceDefinition } from './streamplatform/v1/ChannelService.ts';
import type { GetChannelRequest as _streamplatform_v1_GetChannelRequest, GetChannelRequest__Output as _streamplatform_v1_GetChannelRequest__Output } from './streamplatform/v1/GetChannelRequest.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  streamplatform: {
    v1: {
      AuthorizePublishRequest: MessageTypeDefinition<_streamplatform_v1_AuthorizePublishRequest, _streamplatform_v1_AuthorizePublishRequest__Output>
      Channel: MessageTypeDefinition<_streamplatform_v1_Channel, _streamplatform_v1_Channel__Output>
      ChannelService: SubtypeConstructor<typeof grpc.Client, _streamplatform_v1_ChannelServiceClient> & { service: _streamplatform_v1_ChannelServiceDefinition }
      GetChannelRequest: MessageTypeDefinition<_streamplatform_v1_GetChannelRequest, _streamplatform_v1_GetChannelRequest__Output>
    }
  }
}

